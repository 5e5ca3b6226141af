"""Rewards: coupons, reward campaigns, referrals, the points mall, check-in and the lottery."""
