{% macro landing_source(entity) -%}
    {#- The raw table of a landing entity. In sample mode (no MVOI_RAW_DIR) the raw table is
        the bundled sample seed, so the seed is declared as a dependency too: dbt then loads it
        before the staging model runs, and lineage shows it. -#}
    {%- if env_var('MVOI_RAW_DIR', '') == '' -%}
        -- depends_on: {{ ref(entity) }}
    {% endif -%}
    {{ return(source('landing', entity)) }}
{%- endmacro %}
