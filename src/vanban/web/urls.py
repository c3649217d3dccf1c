from django.urls import path

from vanban.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("queues/outgoing/", views.outgoing, name="outgoing"),
    path("queues/rejected/", views.rejected, name="rejected"),
]
