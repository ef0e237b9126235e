{{ pivot_kpi_theme('social_return') }}
