"""Read-mostly boto3 operations against the live organization.

Every function takes an ``AwsClients`` built from a ``boto3.Session`` so tests
can run the same code against moto or botocore's Stubber.
"""
