{% macro parse_number(col) -%}
    {#- Non-money decimals (kg, FTE, percentages) as double, with the same strict format as
        amounts: '.' decimal separator, no thousands separator, optional leading '-'. -#}
    case
        when {{ regex_match(clean_text(col), landing_format('number')) }}
            then {{ safe_cast_as(clean_text(col), 'double') }}
    end
{%- endmacro %}
