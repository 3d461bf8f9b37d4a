-- 0016 the summary procedure (简易程序, APL Art. 51–52, 68–71): a case
-- decided on the spot keeps its on-the-spot decision, any fine collected
-- on the spot and its filing with the agency, as JSON. NULL: an ordinary
-- case.
ALTER TABLE cases ADD COLUMN summary TEXT;
