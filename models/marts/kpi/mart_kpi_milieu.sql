{{ pivot_kpi_theme('milieu') }}
