{% macro landing_record_json(columns, hashed_columns={}) -%}
    {#- The original landing record as JSON text: every column as delivered (text), in the
        contract's column order. Columns in `hashed_columns` (name -> lowercase flag) are
        personal data: they appear as <name>_hash with their SHA-256, never in clear. -#}
    {{- return(adapter.dispatch('landing_record_json', 'mvoi')(columns, hashed_columns)) -}}
{%- endmacro %}

{% macro duckdb__landing_record_json(columns, hashed_columns) -%}
    cast(to_json(struct_pack(
        {%- for column in columns %}
            {%- if column in hashed_columns %}
        {{ column }}_hash := {{ hash_personal_data(column, hashed_columns[column]) }}
            {%- else %}
        {{ column }} := cast({{ column }} as varchar)
            {%- endif %}{{ ',' if not loop.last }}
        {%- endfor %}
    )) as varchar)
{%- endmacro %}
