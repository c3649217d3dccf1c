from django.urls import path

from vanban.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    # Browsers ask for /favicon.ico on their own: answered, so no "not found" is audited.
    path("favicon.ico", views.favicon, name="favicon"),
    path("queues/outgoing/", views.outgoing, name="outgoing"),
    path("queues/rejected/", views.rejected, name="rejected"),
]
