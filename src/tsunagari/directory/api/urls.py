from django.urls import path

from tsunagari.directory.api import views

app_name = "api"
urlpatterns = [
    path("services", views.service_list, name="services"),
    path("services/<str:service_id>", views.service_detail, name="service"),
    path("organizations", views.organization_list, name="organizations"),
    path("organizations/<str:organization_id>", views.organization_detail, name="organization"),
    path("taxonomies", views.taxonomy_list, name="taxonomies"),
    path("taxonomy_terms", views.taxonomy_term_list, name="taxonomy_terms"),
    path("openapi.json", views.openapi, name="openapi"),
]
