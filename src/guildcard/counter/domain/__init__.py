"""Pure counter rules: amounts, proportional refunds, backfill windows. No framework imports."""
