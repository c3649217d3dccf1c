"""``POST /exchange/federation/witness/``: a peer pushes a checkpoint for us to countersign
(R14.3; ``services.witness``). Signed like every federation request; answers the cosignature,
or an RFC 9457 problem (401 unknown peer or bad signature, 409 refused, 400 malformed)."""

from __future__ import annotations

from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vanban.exchange import identity
from vanban.exchange.services.witness import witness_receive


class WitnessCheckpoints(APIView):
    """Countersign a peer's checkpoint that extends the one we hold."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    def post(self, request: Request) -> Response:
        """The cosignature as JSON."""
        return Response(witness_receive(
            installation=request.headers.get(identity.HEADER_INSTALLATION, ""),
            signature=request.headers.get(identity.HEADER_SIGNATURE, ""),
            body=request._request.body))
