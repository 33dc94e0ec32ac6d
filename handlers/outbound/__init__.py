"""Everything Kept sends unprompted. Planning (plan.py, notices.py) sits below the features, which call it in
their own transactions; preparing a due row to send (prepare.py) and daily upkeep (upkeep.py) sit above them."""
