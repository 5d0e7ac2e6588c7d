-- bench/floor.py: a voice webhook request with a forged signature (the project answers 403 and
-- writes nothing): Twilio's form fields, a signature header that does not match.
wrk.method = "POST"
wrk.body = "CallSid=CAfloor00000000000000000000000000&From=%2B819000000000&To=%2B819999&CallStatus=ringing"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["X-Twilio-Signature"] = "Zm9yZ2VkLXNpZ25hdHVyZS0tbm90LXZhbGlkLWF0LWFsbA=="
