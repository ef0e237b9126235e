{{ pivot_kpi_theme('diversiteit_inclusie') }}
