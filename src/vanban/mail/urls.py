"""Pages of the mail app: the province administrator's mailboxes and DKIM keys."""

from django.urls import URLPattern, path

from vanban.mail import views

app_name = "mail"
urlpatterns: list[URLPattern] = [
    path("mailboxes/", views.mailboxes, name="mailboxes"),
    path("mailboxes/<int:pk>/disable/", views.mailbox_disable, name="mailbox_disable"),
    path("dkim/", views.dkim_keys, name="dkim"),
    path("dkim/<int:pk>/disable/", views.dkim_disable, name="dkim_disable"),
]
