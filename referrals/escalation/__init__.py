"""Escalation: the ladders (ladder), a referral's deadlines and clock (clock),
the exactly-once claim (claim), who is told (notices) and the sweep (sweep)."""
