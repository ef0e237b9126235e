{% macro parse_int(col) -%}
    {#- Whole numbers: optional leading '-', digits, and optionally a zero fraction (3.0 is the
        whole number 3, as a Parquet double column arrives as text); 3.5, 1e2, 'drie' are null. -#}
    case
        when {{ regex_match(clean_text(col), landing_format('integer')) }}
            then {{ safe_cast_as(
                "split_part(" ~ clean_text(col) ~ ", '.', 1)",
                api.Column.translate_type('integer')
            ) }}
    end
{%- endmacro %}
