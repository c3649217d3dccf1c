"""Pages of the hub and the federation endpoint."""

from django.urls import URLPattern, path

from vanban.exchange import views
from vanban.exchange.witness_view import WitnessCheckpoints

app_name = "exchange"
urlpatterns: list[URLPattern] = [
    path("", views.sent_list, name="sent_list"),
    path("documents/<int:pk>/", views.tracking, name="tracking"),
    path("documents/<int:pk>/send/", views.send, name="send"),
    path("transmissions/<uuid:uid>/revoke/", views.revoke, name="revoke"),
    path("deliveries/<uuid:uid>/recall/", views.recall, name="recall"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<uuid:uid>/", views.incoming, name="incoming"),
    path("inbox/<uuid:uid>/file.pdf", views.incoming_file, name="incoming_file"),
    path("inbox/<uuid:uid>/status/", views.incoming_status, name="incoming_status"),
    path("hub/", views.hub, name="hub"),
    path("hub/retry/<uuid:uid>/", views.hub_retry, name="hub_retry"),
    path("federation/messages/", views.FederationMessages.as_view(), name="federation"),
    path("federation/witness/", WitnessCheckpoints.as_view(), name="witness"),  # R14.3
]
