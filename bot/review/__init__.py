"""The partnership review on the web: signed routes, the HTML page, its charts and the governors' PDF."""
