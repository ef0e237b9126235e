{% macro parse_iso_date(col) -%}
    {#- ISO YYYY-MM-DD only: the format is checked first, then the value is cast safely, so
        31-12-2024, 2024/12/31 and 2024-02-30 are all null (invalid), never re-interpreted. -#}
    case
        when {{ regex_match(clean_text(col), landing_format('iso_date')) }}
            then {{ safe_cast_as(clean_text(col), api.Column.translate_type('date')) }}
    end
{%- endmacro %}
