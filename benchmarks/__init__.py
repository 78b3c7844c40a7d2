"""Scaling and overhead measurements of the Pulumi program (run with ``make benchmark``)."""
