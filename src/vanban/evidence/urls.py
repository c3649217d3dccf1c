from django.urls import URLPattern, path

app_name = "evidence"
urlpatterns: list[URLPattern] = []
