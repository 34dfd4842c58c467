-- Texts hold no control characters but tab and line feed (issue #14, point 12): the API
-- refuses them from now on, and this cleans what was stored before. Carriage returns become
-- line feeds, every other C0 and C1 control character and DEL is removed. Only rows that
-- hold one are written.

UPDATE opportunity_texts SET title = regexp_replace(replace(replace(title, E'\r\n', E'\n'), E'\r', E'\n'), '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]', '', 'g')
WHERE title ~ '[\x01-\x08\x0b-\x1f\x7f-\x9f]';

UPDATE opportunity_texts SET summary = regexp_replace(replace(replace(summary, E'\r\n', E'\n'), E'\r', E'\n'), '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]', '', 'g')
WHERE summary ~ '[\x01-\x08\x0b-\x1f\x7f-\x9f]';

UPDATE opportunity_texts SET description = regexp_replace(replace(replace(description, E'\r\n', E'\n'), E'\r', E'\n'), '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]', '', 'g')
WHERE description ~ '[\x01-\x08\x0b-\x1f\x7f-\x9f]';

UPDATE organizations SET name = regexp_replace(replace(replace(name, E'\r\n', E'\n'), E'\r', E'\n'), '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]', '', 'g')
WHERE name ~ '[\x01-\x08\x0b-\x1f\x7f-\x9f]';

UPDATE organizations SET city = regexp_replace(replace(replace(city, E'\r\n', E'\n'), E'\r', E'\n'), '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]', '', 'g')
WHERE city ~ '[\x01-\x08\x0b-\x1f\x7f-\x9f]';

UPDATE opportunities SET destination_city = regexp_replace(replace(replace(destination_city, E'\r\n', E'\n'), E'\r', E'\n'), '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]', '', 'g')
WHERE destination_city ~ '[\x01-\x08\x0b-\x1f\x7f-\x9f]';

UPDATE opportunity_search SET title_en = regexp_replace(replace(replace(title_en, E'\r\n', E'\n'), E'\r', E'\n'), '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]', '', 'g')
WHERE title_en ~ '[\x01-\x08\x0b-\x1f\x7f-\x9f]';

UPDATE opportunity_search SET title_sl = regexp_replace(replace(replace(title_sl, E'\r\n', E'\n'), E'\r', E'\n'), '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]', '', 'g')
WHERE title_sl ~ '[\x01-\x08\x0b-\x1f\x7f-\x9f]';

UPDATE opportunity_search SET summary_en = regexp_replace(replace(replace(summary_en, E'\r\n', E'\n'), E'\r', E'\n'), '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]', '', 'g')
WHERE summary_en ~ '[\x01-\x08\x0b-\x1f\x7f-\x9f]';

UPDATE opportunity_search SET summary_sl = regexp_replace(replace(replace(summary_sl, E'\r\n', E'\n'), E'\r', E'\n'), '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]', '', 'g')
WHERE summary_sl ~ '[\x01-\x08\x0b-\x1f\x7f-\x9f]';

UPDATE opportunity_search SET description_en = regexp_replace(replace(replace(description_en, E'\r\n', E'\n'), E'\r', E'\n'), '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]', '', 'g')
WHERE description_en ~ '[\x01-\x08\x0b-\x1f\x7f-\x9f]';

UPDATE opportunity_search SET description_sl = regexp_replace(replace(replace(description_sl, E'\r\n', E'\n'), E'\r', E'\n'), '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]', '', 'g')
WHERE description_sl ~ '[\x01-\x08\x0b-\x1f\x7f-\x9f]';

UPDATE opportunity_search SET organizer = regexp_replace(replace(replace(organizer, E'\r\n', E'\n'), E'\r', E'\n'), '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]', '', 'g')
WHERE organizer ~ '[\x01-\x08\x0b-\x1f\x7f-\x9f]';
