"""Plain-Python side of sandbox-vending: roster model, guardrail compiler, plans and AWS operations.

Nothing in this package declares Pulumi resources; the Pulumi program in ``__main__.py``
and the components in ``components/`` consume what it produces.
"""
