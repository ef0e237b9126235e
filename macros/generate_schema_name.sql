{% macro generate_schema_name(custom_schema_name, node) -%}
    {#- Exact schema names (staging, marts, reference, raw, ...), not dbt's default
        <target_schema>_<custom>. A node without a custom schema goes to the target schema. -#}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim | lower }}
    {%- endif -%}
{%- endmacro %}
