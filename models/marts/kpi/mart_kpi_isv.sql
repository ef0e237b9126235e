{{ pivot_kpi_theme('isv') }}
