"""The partnership review on the web: signed routes, the HTML page, its charts and the governors' PDF."""

import os

# ReportLab checks every attribute set on a shape against its schema, a help while writing charts that costs
# most of a chart's drawing time; its documentation turns it off for production. It reads RL_* settings from
# the environment when it first loads, so saying it here keeps ReportLab (and Pillow) unloaded until a page or
# PDF is drawn.
os.environ.setdefault("RL_shapeChecking", "0")
