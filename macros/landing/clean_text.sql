{% macro clean_text(col) -%}
    {#- Landing contract: every value is trimmed of surrounding spaces; the empty string and the
        literal NULL (any case) mean missing. Works on any input type (cast to text first). -#}
    case
        when trim(cast({{ col }} as {{ dbt.type_string() }})) = '' then null
        when lower(trim(cast({{ col }} as {{ dbt.type_string() }}))) = 'null' then null
        else trim(cast({{ col }} as {{ dbt.type_string() }}))
    end
{%- endmacro %}
