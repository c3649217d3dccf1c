from django.urls import URLPattern, path

app_name = "directory"
urlpatterns: list[URLPattern] = []
