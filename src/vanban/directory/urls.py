from django.urls import path

from vanban.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.agency_tree, name="agency_tree"),
    path("agencies/new/", views.agency_create, name="agency_create"),
    path("agencies/<str:code>/", views.agency_detail, name="agency_detail"),
    path("agencies/<str:code>/edit/", views.agency_edit, name="agency_edit"),
    path("agencies/<str:code>/units/new/", views.unit_create, name="unit_create"),
    path("agencies/<str:code>/units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<int:pk>/edit/", views.group_edit, name="group_edit"),
    path("groups/<int:pk>/delete/", views.group_delete, name="group_delete"),
]
