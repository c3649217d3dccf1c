from django.urls import URLPattern, path

app_name = "registry"
urlpatterns: list[URLPattern] = []
