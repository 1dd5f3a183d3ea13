"""Figures and the offline HTML lab: ``actlab.report.plots`` draws activations, ``actlab.report.lab`` builds the site.

Nothing here is imported by ``import actlab``; matplotlib is loaded only when a figure is drawn.
"""
