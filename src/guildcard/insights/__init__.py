"""Insights: member metrics, cohorts, who brings whom, RFM, lifetime value and recommendations."""
