"""Every route of the application, classified once: who it is for and which object it touches.

The generated access matrix (tests/integration/alliance/test_generated_access_matrix.py) reads the
application's route table and fails for any route missing here. To classify a new route, add ONE
line: ``"METHOD /path/{param}": (audience, object)``.

audience — who may call it at all:
    PUBLIC    anyone (sign-in, applications, health, login pages)
    MEMBER    a signed-in member, on their own data only
    STAFF     merchant staff or a POS key (owner / manager / cashier / pos)
    OPERATOR  alliance operators (admin / reviewer / finance / viewer)
    SIGNED_IN staff or operators (each reaching what its role allows)
object — what the route reaches, so the matrix knows which foreign ids to try:
    None       nothing by id (a list, a form, one's own session): the matrix checks that the answer
               shows nothing of another alliance (or merchant, for staff)
    "alliance" / "merchant" / "store": by the path's or the body's ids; the matrix tries another
               alliance's (everyone), another merchant's (staff) and another store's (store-bound) ids
Path parameters are filled by name (see PARAMS in the matrix); add a name there if yours is new.
"""

from __future__ import annotations

PUBLIC, MEMBER, STAFF, OPERATOR, SIGNED_IN = "public", "member", "staff", "operator", "signed_in"

Access = tuple[str, str | None]

ROUTES: dict[str, Access] = {
    # --- health, docs, home --------------------------------------------------------------------
    "GET /healthz": (PUBLIC, None),
    "GET /docs": (PUBLIC, None),
    "GET /": (PUBLIC, None),
    # --- settlement ----------------------------------------------------------------------------
    "GET /api/v1/settlement/statements": (SIGNED_IN, None),
    "GET /api/v1/settlement/statements/{period}/export.csv": (SIGNED_IN, None),
    "GET /api/v1/settlement/statements/{period}/export.xlsx": (SIGNED_IN, None),
    "GET /api/v1/settlement/statements/{period}/{merchant_id}": (SIGNED_IN, "merchant"),
    "GET /api/v1/settlement/statements/{period}/{merchant_id}/lines/{component}": (SIGNED_IN, "merchant"),
    "GET /api/v1/settlement/statements/{period}/{merchant_id}/proofs/{entry_id}": (SIGNED_IN, "merchant"),
    "POST /api/v1/settlement/periods/{period}/close": (OPERATOR, None),
    "GET /api/v1/settlement/flows": (OPERATOR, None),
    "GET /api/v1/settlement/liability": (OPERATOR, None),
    "GET /api/v1/settlement/limits/near": (OPERATOR, None),
    "PUT /api/v1/settlement/limits/{merchant_id}": (OPERATOR, "merchant"),
    "PUT /api/v1/settlement/settings/breakage": (OPERATOR, None),
    # --- counter -------------------------------------------------------------------------------
    "POST /api/v1/counter/previews": (STAFF, "store"),
    "POST /api/v1/counter/purchases": (STAFF, "store"),
    "POST /api/v1/counter/purchases:batch": (STAFF, "store"),
    "GET /api/v1/counter/purchases/{order_no}": (STAFF, "store"),
    "POST /api/v1/counter/refunds": (STAFF, "store"),
    "POST /api/v1/counter/backfills": (STAFF, "store"),
    "POST /api/v1/counter/backfills/{backfill_id}/approve": (STAFF, "merchant"),
    "POST /api/v1/counter/backfills/{backfill_id}/reject": (STAFF, "merchant"),
    "POST /api/v1/counter/adjustments": (OPERATOR, "alliance"),
    # --- members -------------------------------------------------------------------------------
    "POST /api/v1/alliances/{alliance_id}/otp": (PUBLIC, None),
    "POST /api/v1/alliances/{alliance_id}/members/session": (PUBLIC, None),
    "GET /api/v1/me": (MEMBER, None),
    "PATCH /api/v1/me": (MEMBER, None),
    "GET /api/v1/me/consents": (MEMBER, None),
    "PUT /api/v1/me/consents/{kind}": (MEMBER, None),
    "GET /api/v1/me/member-code": (MEMBER, None),
    "GET /api/v1/me/member-code.svg": (MEMBER, None),
    "GET /api/v1/me/export": (MEMBER, None),
    "POST /api/v1/me/erasure": (MEMBER, None),
    "GET /api/v1/alliances/{alliance_id}/member-duplicates": (OPERATOR, "alliance"),
    "POST /api/v1/alliances/{alliance_id}/member-duplicates/{flag_id}/review": (OPERATOR, "alliance"),
    "GET /api/v1/dev/outbox": (PUBLIC, None),  # development only
    # --- staff and operator sessions -----------------------------------------------------------
    "POST /api/v1/auth/login": (PUBLIC, None),
    "POST /api/v1/auth/session": (PUBLIC, None),
    "POST /api/v1/auth/logout": (SIGNED_IN, None),
    "GET /api/v1/auth/me": (SIGNED_IN, None),
    "POST /api/v1/auth/activate": (PUBLIC, None),
    "POST /api/v1/auth/password": (SIGNED_IN, None),
    # --- alliance: onboarding, merchants, stores, staff, keys, audit ---------------------------
    "GET /api/v1/alliances/{alliance}/trade-categories": (PUBLIC, None),
    "POST /api/v1/alliances/{alliance}/merchant-applications": (PUBLIC, None),
    "PUT /api/v1/alliances/{alliance}/merchant-applications/{application_id}": (PUBLIC, None),
    "GET /api/v1/merchant-applications": (OPERATOR, None),
    "GET /api/v1/merchant-applications/{application_id}": (OPERATOR, "alliance"),
    "GET /api/v1/merchant-applications/{application_id}/history": (OPERATOR, "alliance"),
    "POST /api/v1/merchant-applications/{application_id}/reviews": (OPERATOR, "alliance"),
    "GET /api/v1/alliance": (SIGNED_IN, None),
    "PUT /api/v1/alliance/contract-limits": (OPERATOR, None),
    "GET /api/v1/alliance/trade-categories": (SIGNED_IN, None),
    "PUT /api/v1/alliance/trade-categories": (OPERATOR, None),
    "GET /api/v1/operators": (OPERATOR, None),
    "POST /api/v1/operators": (OPERATOR, None),
    "DELETE /api/v1/operators/{operator_id}": (OPERATOR, "alliance"),
    "GET /api/v1/merchants": (SIGNED_IN, None),
    "GET /api/v1/merchants/{merchant_id}": (SIGNED_IN, "merchant"),
    "PATCH /api/v1/merchants/{merchant_id}": (OPERATOR, "merchant"),
    "GET /api/v1/merchants/{merchant_id}/history": (SIGNED_IN, "merchant"),
    "GET /api/v1/merchants/{merchant_id}/contracts": (SIGNED_IN, "merchant"),
    "POST /api/v1/merchants/{merchant_id}/contracts": (OPERATOR, "merchant"),
    "GET /api/v1/merchants/{merchant_id}/stores": (SIGNED_IN, "merchant"),
    "POST /api/v1/merchants/{merchant_id}/stores": (STAFF, "merchant"),
    "GET /api/v1/stores/{store_id}": (SIGNED_IN, "store"),
    "PATCH /api/v1/stores/{store_id}": (STAFF, "store"),
    "GET /api/v1/merchants/{merchant_id}/staff": (SIGNED_IN, "merchant"),
    "POST /api/v1/merchants/{merchant_id}/staff": (STAFF, "merchant"),
    "GET /api/v1/staff/{staff_id}": (SIGNED_IN, "merchant"),
    "PATCH /api/v1/staff/{staff_id}": (STAFF, "merchant"),
    "GET /api/v1/stores/{store_id}/pos-keys": (SIGNED_IN, "store"),
    "POST /api/v1/stores/{store_id}/pos-keys": (STAFF, "store"),
    "GET /api/v1/pos-keys/{key_id}": (SIGNED_IN, "store"),
    "DELETE /api/v1/pos-keys/{key_id}": (STAFF, "store"),
    "GET /api/v1/audit-log": (SIGNED_IN, None),
    "GET /api/v1/merchants/{merchant_id}/audit-log": (SIGNED_IN, "merchant"),
    "GET /api/v1/audit-log/{entry_id}": (SIGNED_IN, "alliance"),
    # --- member pages (/m) ---------------------------------------------------------------------
    "GET /m/login": (PUBLIC, None),
    "GET /m/{alliance_ref}/login": (PUBLIC, None),
    "GET /m/{alliance_ref}/login/code": (PUBLIC, None),
    "POST /m/{alliance_ref}/login/code": (PUBLIC, None),
    "POST /m/{alliance_ref}/login": (PUBLIC, None),
    "POST /m/logout": (MEMBER, None),
    "GET /m": (MEMBER, None),
    "GET /m/history": (MEMBER, None),
    "GET /m/merchants": (MEMBER, None),
    "GET /m/settings": (MEMBER, None),
    "POST /m/settings/consents": (MEMBER, None),
    "GET /m/settings/export": (MEMBER, None),
    "GET /m/settings/erase": (MEMBER, None),
    "POST /m/settings/erase": (MEMBER, None),
    # --- operator pages (/ops) -----------------------------------------------------------------
    "GET /ops/login": (PUBLIC, None),
    "POST /ops/login": (PUBLIC, None),
    "POST /ops/logout": (SIGNED_IN, None),
    "GET /ops/activate": (PUBLIC, None),
    "POST /ops/activate": (PUBLIC, None),
    "GET /ops/password": (SIGNED_IN, None),
    "POST /ops/password": (SIGNED_IN, None),
    "GET /ops": (OPERATOR, None),
    "POST /ops/verify": (OPERATOR, None),
    "GET /ops/applications": (OPERATOR, None),
    "GET /ops/applications/{application_id}": (OPERATOR, "alliance"),
    "POST /ops/applications/{application_id}/review": (OPERATOR, "alliance"),
    "GET /ops/merchants": (OPERATOR, None),
    "GET /ops/merchants/{merchant_id}": (OPERATOR, "merchant"),
    "POST /ops/merchants/{merchant_id}/contracts": (OPERATOR, "merchant"),
    "POST /ops/merchants/{merchant_id}/status": (OPERATOR, "merchant"),
    "GET /ops/settings": (OPERATOR, None),
    "POST /ops/settings/loyalty": (OPERATOR, None),
    "POST /ops/settings/ledger": (OPERATOR, None),
    "POST /ops/settings/breakage": (OPERATOR, None),
    "GET /ops/campaigns": (OPERATOR, None),
    "POST /ops/campaigns": (OPERATOR, None),
    "POST /ops/campaigns/{campaign_id}/end": (OPERATOR, "alliance"),
    "GET /ops/limits": (OPERATOR, None),
    "POST /ops/limits": (OPERATOR, "merchant"),
    "GET /ops/settlement": (OPERATOR, None),
    "POST /ops/settlement/{period_key}/close": (OPERATOR, None),
    "GET /ops/audit": (OPERATOR, None),
    # --- staff pages (/staff, /counter, /merchant) ---------------------------------------------
    "GET /staff/login": (PUBLIC, None),
    "POST /staff/login": (PUBLIC, None),
    "POST /staff/logout": (STAFF, None),
    "GET /staff/activate": (PUBLIC, None),
    "POST /staff/activate": (PUBLIC, None),
    "GET /counter": (STAFF, "store"),
    "POST /counter/preview": (STAFF, "store"),
    "POST /counter/purchases": (STAFF, "store"),
    "GET /counter/receipt": (STAFF, "store"),
    "GET /counter/refunds": (STAFF, "store"),
    "POST /counter/refunds": (STAFF, "store"),
    "GET /counter/backfills": (STAFF, "store"),
    "POST /counter/backfills": (STAFF, "store"),
    "GET /merchant": (STAFF, None),
    "GET /merchant/statements": (STAFF, None),
    "GET /merchant/statements/{period}/{component}": (STAFF, None),
    "GET /merchant/backfills": (STAFF, None),
    "POST /merchant/backfills/{backfill_id}/{decision}": (STAFF, "merchant"),
    "GET /merchant/stores": (STAFF, None),
    "POST /merchant/staff": (STAFF, "store"),
    "POST /merchant/staff/{staff_id}/disable": (STAFF, "merchant"),
    "GET /merchant/pos-keys": (STAFF, None),
    "POST /merchant/pos-keys": (STAFF, "store"),
    "POST /merchant/pos-keys/{key_id}/revoke": (STAFF, "store"),
    "GET /merchant/rules": (STAFF, None),
    "POST /merchant/rules": (STAFF, None),
    # --- insights (issue 16) -------------------------------------------------------------------
    "GET /ops/insights": (OPERATOR, None),
    "GET /ops/insights/export.csv": (OPERATOR, None),
    "GET /ops/insights/export.xlsx": (OPERATOR, None),
    "GET /merchant/insights": (STAFF, None),
    "GET /merchant/insights/export.csv": (STAFF, None),
    "GET /merchant/insights/export.xlsx": (STAFF, None),
    "POST /api/v1/insights/walk-in-sales": (STAFF, "store"),
    "PUT /api/v1/insights/daily-totals": (STAFF, "store"),
    "GET /api/v1/insights/metrics": (OPERATOR, None),
}
