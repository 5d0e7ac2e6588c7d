"""Cases: consultation records grouped per person, referrals and the audit log (issue 5)."""
