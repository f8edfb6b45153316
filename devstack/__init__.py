"""Developer tooling: the local stack (`make run`), moto helpers, the stream pump.

Not part of the Lambda package (Chalice bundles only app.py, chalicelib/ and requirements.txt).
"""
