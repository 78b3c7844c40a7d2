"""Pulumi ComponentResources of sandbox-vending, one concept per module.

Components take already-validated values (``vending`` models and plain
settings); none of them reads files or stack config.
"""
