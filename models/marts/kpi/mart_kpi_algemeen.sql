{{ pivot_kpi_theme('algemeen') }}
