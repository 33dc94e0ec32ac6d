"""Supply and demand: offers and requests on the board, matching one to the other, and their expiry."""
