"""The cadres' ledger UI (/ledger): phone-first pages for paired households, visits and duties."""
