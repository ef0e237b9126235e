{{ pivot_kpi_theme('klimaat') }}
