from django.urls import URLPattern, path

app_name = "exchange"
urlpatterns: list[URLPattern] = []
