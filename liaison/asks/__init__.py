"""The asks ledger: what the society asks each regulator, what was answered, what came of it."""
