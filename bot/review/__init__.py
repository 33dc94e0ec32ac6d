"""The partnership review on the web: signed routes, the HTML page, its charts and the governors' PDF."""

from reportlab import rl_config

# ReportLab checks every attribute set on a shape against its schema, a help while writing charts that costs
# most of a chart's drawing time; its documentation turns it off for production, before the graphics load.
rl_config.shapeChecking = 0
