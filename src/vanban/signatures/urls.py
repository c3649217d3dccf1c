from django.urls import URLPattern, path

app_name = "signatures"
urlpatterns: list[URLPattern] = []
