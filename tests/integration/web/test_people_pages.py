"""The member import page (owner) and the duplicate review page (operator), and their API twins.

A bakery owner uploads a file whose phone column has an unknown header, maps it on the preview,
attests the consent basis and imports; the report names each bad row in Chinese; a re-import
changes nothing. The operator finds the twin the file created, merges it on the page and undoes it.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from tests.integration.alliance.world import PASSWORD, auth
from tests.integration.members.people_world import HEADER, bakery_csv, bakery_rows, people_world

from guildcard.kernel.actors import system_actor

pytestmark = pytest.mark.slow


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', html).group(1)


def _owner_login(world) -> str:
    staff = world.client.get(f"/api/v1/merchants/{world.merchant_id}/staff", headers=auth(world.owner)).json()
    return next(s["login"] for s in staff if s["role"] == "owner")


def _sign_in_staff(world, login: str) -> str:
    r = world.client.post(
        "/staff/login",
        data={"alliance": "pages", "login": login, "password": PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return _csrf(world.client.get("/merchant/members/import").text)


def _sign_in_operator(world) -> str:
    r = world.client.post(
        "/ops/login",
        data={"alliance": "pages", "login": "admin-pages", "password": PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return _csrf(world.client.get("/ops/members/duplicates").text)


def _bakery_file() -> tuple[bytes, list[list[str]]]:
    """60 members and a twin; row 4 has a bad phone, row 9 a future birthday; the phone header is 联系电话."""
    rows = bakery_rows(60)
    rows[3][2] = "12345"
    rows[8][3] = "2099-01-01"
    twin = list(rows[5])  # the same customer twice: a new id, the name in pinyin, one phone digit off
    twin[0], twin[1], twin[2] = "B99999", "Wei Yang", "13907000005"
    twin[3] = rows[5][3].replace("-", "")
    rows.append(twin)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([h if h != "手机号" else "联系电话" for h in HEADER])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig"), rows


def test_an_owner_maps_the_columns_imports_a_file_and_reads_the_report(database):
    world = people_world(database, "pages")
    with world.client as client:
        token = _sign_in_staff(world, _owner_login(world))
        data, _rows = _bakery_file()
        upload = client.post(
            "/merchant/members/import", data={"csrf_token": token},
            files={"member_file": ("面包房会员.csv", data, "text/csv")}, follow_redirects=False,
        )  # fmt: skip
        assert upload.status_code == 303, upload.text
        preview_url = upload.headers["location"]
        upload_id = preview_url.rsplit("/", 1)[1]
        first = client.get(preview_url)
        assert "面包房会员.csv：共 61 行" in first.text
        assert "请为以下字段选择一列：" in first.text
        assert "手机号" in first.text
        assert re.search(r'<button type="submit" disabled>导入 61 行</button>', first.text)

        mapping = {f"col_{i}": f for i, f in enumerate(
            ["external_id", "name", "phone", "birthday", "gender", "registered_at", "opening_points"]
        )}  # fmt: skip
        mapped = client.get(preview_url, params=mapping)
        assert "请为以下字段选择一列" not in mapped.text
        assert "不是有效的手机号" in mapped.text
        assert "12345" in mapped.text

        no_basis = client.post(preview_url, data={"csrf_token": token, **mapping, "basis": "会员已同意"})
        assert no_basis.status_code == 422
        assert "请填写与联盟共享这些会员资料的依据" in no_basis.text

        imported = client.post(
            preview_url, data={"csrf_token": token, **mapping, "basis": "会员已同意本店条款", "attest": "yes"}
        )
        assert imported.status_code == 200, imported.text
        assert re.search(r"data-created>59<", imported.text)
        assert re.search(r"data-rejected>2<", imported.text)
        assert "不是 1900 年以后、今天以前的日期" in imported.text
        assert "2099-01-01" in imported.text

        problems = client.get(f"{preview_url}/problems.csv", params=mapping)
        assert problems.content.startswith("\ufeff".encode())
        lines = problems.content.decode("utf-8-sig").splitlines()
        assert lines[0] == "行号,字段,问题,原值"
        assert len(lines) == 3

        again = client.post(
            preview_url, data={"csrf_token": token, **mapping, "basis": "会员已同意本店条款", "attest": "yes"}
        )
        assert re.search(r"data-created>0<", again.text)
        assert re.search(r"data-unchanged>59<", again.text)
        listed = client.get("/merchant/members/import")
        cells = r'<td class="num">(\d+)</td>' * 3
        runs = re.findall(cells, listed.text)  # new, linked, unchanged per run
        assert sorted(runs) == [("0", "0", "59"), ("59", "0", "0")]  # the second run created nothing

        # a forged upload is refused before the file is read; another merchant's owner cannot see it
        forged = client.post(
            "/merchant/members/import",
            files={"member_file": ("x.csv", data, "text/csv")},
            follow_redirects=False,
        )
        assert forged.status_code == 403
        assert world.verify() == []
        assert upload_id.startswith("upl_")


def test_an_operator_merges_the_twin_on_the_page_and_undoes_it(database):
    world = people_world(database, "pages")
    with world.client as client:
        data, _rows = _bakery_file()
        api = client.post(
            f"/api/v1/alliances/{world.alliance_id}/member-imports",
            data={"merchant_id": world.merchant_id, "basis": "会员已同意", "columns": "联系电话=phone"},
            files={"file": ("bakery.csv", data, "text/csv")}, headers=auth(world.owner),
        )  # fmt: skip
        assert api.status_code == 200, api.text
        report = api.json()
        assert (report["created"], report["rejected"]) == (59, 2)
        assert {p["field"] for p in report["problems"]} == {"phone", "birthday"}

        token = _sign_in_operator(world)
        ran = client.post("/ops/members/duplicates/run", data={"csrf_token": token})
        assert "已完成查找" in ran.text
        pair = re.search(r'data-pair="(mpr_[^"]+)"', ran.text)
        assert pair, ran.text
        assert "各字段的贡献" in ran.text
        assert "生日" in ran.text
        survivor, absorbed = re.findall(r'name="survivor" value="(mem_[^"]+)"', ran.text)[:2]
        merged = client.post(
            f"/ops/members/pairs/{pair.group(1)}/merge",
            data={"csrf_token": token, "survivor": survivor, "absorbed": absorbed, "idempotency_key": "m-1"},
        )
        assert "两位会员已合并" in merged.text
        assert world.verify() == []
        listing = client.get(
            f"/api/v1/alliances/{world.alliance_id}/member-merges", headers=auth(world.admin)
        )
        merge = listing.json()[0]
        assert merge["status"] == "merged"

        undo = client.post(f"/ops/members/merges/{merge['merge_id']}/undo", data={"csrf_token": token})
        assert "合并已撤销" in undo.text
        assert world.verify() == []
        again = client.post(f"/ops/members/merges/{merge['merge_id']}/undo", data={"csrf_token": token})
        assert again.status_code == 422
        assert "撤销" in again.text


def test_the_api_merges_idempotently_and_keeps_merchants_out(database):
    world = people_world(database, "pages")
    with world.client as client:
        rows = bakery_rows(60)
        twin = list(rows[5])
        twin[0], twin[1], twin[2] = "B99999", "Wei Yang", "13907000005"
        twin[3] = rows[5][3].replace("-", "")
        client.post(
            f"/api/v1/alliances/{world.alliance_id}/member-imports",
            data={"merchant_id": world.merchant_id, "basis": "会员已同意"},
            files={"file": ("b.csv", bakery_csv([*rows, twin]), "text/csv")}, headers=auth(world.owner),
        )  # fmt: skip
        base = f"/api/v1/alliances/{world.alliance_id}"
        assert client.get(f"{base}/member-match-pairs", headers=auth(world.owner)).status_code == 403
        world.container.members.merging.find_duplicates(
            system_actor(world.alliance_id, "test"), world.alliance_id
        )
        pairs = client.get(f"{base}/member-match-pairs", headers=auth(world.admin)).json()
        assert pairs
        assert pairs[0]["left"]["member"]["phone_masked"].count("*") >= 4
        left, right = pairs[0]["left"]["member"], pairs[0]["right"]["member"]
        body = {"survivor_id": left["member_id"], "absorbed_id": right["member_id"]}
        body["pair_id"] = pairs[0]["pair_id"]
        assert client.post(f"{base}/member-merges", json=body, headers=auth(world.owner)).status_code == 403
        key = {"Idempotency-Key": "merge-1"}
        first = client.post(f"{base}/member-merges", json=body, headers=auth(world.admin) | key)
        assert first.status_code == 201, first.text
        replay = client.post(f"{base}/member-merges", json=body, headers=auth(world.admin) | key)
        assert replay.json() == first.json()
        assert replay.headers["Idempotent-Replayed"] == "true"
        assert client.get(f"{base}/member-match-pairs?status=merged", headers=auth(world.admin)).json()
        undone = client.post(
            f"{base}/member-merges/{first.json()['merge_id']}/undo", headers=auth(world.admin)
        )
        assert undone.status_code == 200
        assert undone.json()["points"] == first.json()["points"]
        twice = client.post(
            f"{base}/member-merges/{first.json()['merge_id']}/undo", headers=auth(world.admin)
        )
        assert twice.status_code == 422
        assert twice.json()["code"] == "members.unmerge_refused"
        assert world.verify() == []
