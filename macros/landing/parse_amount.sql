{% macro parse_amount(col, scale=2) -%}
    {#- Money: '.' decimal separator, no thousands separator, optional leading '-'. Anything
        else (1.234,56 / 1,5 / +5 / 1e3 / .5) is null (invalid). More decimals than `scale` are
        accepted and rounded half away from zero to `scale` decimals (1.005 -> 1.01): the value
        follows the contract's format, so it must load, and money is kept in cents. A value too
        large for decimal(18, scale) is null (invalid). -#}
    case
        when {{ regex_match(clean_text(col), landing_format('amount')) }}
            then {{ safe_cast_as(clean_text(col), 'decimal(18, ' ~ scale ~ ')') }}
    end
{%- endmacro %}
