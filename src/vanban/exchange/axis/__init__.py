"""The connector to the national document exchange axis (VDXP, vn-standards §1.7).

An installation reaches ministries and other provinces through the axis as one peer: the
agencies it serves carry ``Agency.installation = <axis peer id>``, outgoing documents and
statuses leave through the outbox (its retries, refusals and idempotency) and a registered peer
transport, and incoming ones are fetched by :func:`vanban.exchange.axis.receive.axis_poll`.
:mod:`.port` names the operations of the public SDK; :mod:`.spool` and :mod:`.http` are the two
adapters (a spool folder shared with an SDK gateway, or a gateway over REST).
"""
