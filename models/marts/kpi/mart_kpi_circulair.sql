{{ pivot_kpi_theme('circulair') }}
