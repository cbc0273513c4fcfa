"""Australian-English phrases for survey comments and complaints, by topic and sentiment."""
from .. import Provider as VerbatimProvider

PHRASES = {
    "wait_time": {
        "positive": ("hardly any wait on the phone, someone answered straight away",
                     "got through quickly with no long hold", "the call was answered within a minute",
                     "quick to answer, no waiting around", "short wait time, I was impressed"),
        "neutral": ("the wait was about average for a phone queue", "waited a few minutes on hold, which was ok",
                    "bit of a wait to get through but not terrible", "the queue was a little slow this time",
                    "hold time was acceptable"),
        "negative": ("waited far too long on hold", "I was on hold for ages before anyone answered",
                     "the wait time was ridiculous", "spent {n} minutes in the queue listening to hold music",
                     "nobody answered for a long time and I nearly hung up",
                     "the waiting on hold gets worse every time I call"),
    },
    "staff_attitude": {
        "positive": ("the agent was friendly and patient", "the consultant was polite and really helpful",
                     "lovely staff member, very courteous", "the person I spoke to was respectful and listened",
                     "great attitude from the staff member I spoke to"),
        "neutral": ("the staff member was polite enough", "the agent was ok, a bit scripted",
                    "the person I spoke to was professional but rushed"),
        "negative": ("the agent was rude and dismissive", "the staff member was condescending",
                     "the consultant was unhelpful and impatient with me",
                     "the person on the phone could not care less", "the agent talked over me and was rude"),
    },
    "billing_error": {
        "positive": ("they fixed the billing error on my account quickly",
                     "the incorrect charge on my bill was corrected", "they sorted out the wrong amount on my invoice"),
        "neutral": ("still checking whether the bill correction has gone through",
                    "they said the billing mistake would be fixed next bill"),
        "negative": ("I was overcharged on my bill again", "my bill is wrong for the third month running",
                     "charged twice for the same period and nobody can explain the bill",
                     "the invoice has an incorrect charge", "billing mistake after billing mistake"),
    },
    "product_fault": {
        "positive": ("the technician fixed the fault with my connection", "my broadband dropout fault is fixed",
                     "the faulty meter was replaced"),
        "neutral": ("the internet fault is being looked at", "they logged the fault and gave me a reference"),
        "negative": ("my internet keeps dropping out and it is still faulty",
                     "the solar system is faulty and not working properly", "the modem they sent is faulty",
                     "the faulty meter is still not fixed", "the broken battery inverter has not been repaired"),
    },
    "delivery_fulfilment": {
        "positive": ("the installation was booked for the day I wanted", "the modem delivery arrived early",
                     "the installer turned up on time"),
        "neutral": ("delivery of the modem took about a week",
                    "the installation date is a fortnight away, which is fine"),
        "negative": ("the installer never turned up for the appointment", "still waiting for my modem delivery",
                     "the installation was delayed again", "missed installation appointment and no one told me",
                     "the delivery went to the wrong address"),
    },
    "complaint_handling": {
        "positive": ("my complaint was taken seriously and handled well",
                     "they escalated my complaint and followed up", "my complaint was handled with an apology"),
        "neutral": ("my complaint has been logged and I am waiting to hear back",
                    "the complaint process was slow but clear"),
        "negative": ("my complaint was ignored", "nobody followed up on my complaint as promised",
                     "I had to escalate my complaint to the ombudsman", "the complaint process is a joke",
                     "I lodged a complaint weeks ago and heard nothing"),
    },
    "price_value": {
        "positive": ("the new plan is good value for money", "they found me a cheaper rate",
                     "happy with the price and the discount"),
        "neutral": ("prices are about the same as other retailers", "the rate is ok but not the cheapest price"),
        "negative": ("way too expensive compared with other retailers",
                     "the price went up again without any explanation", "poor value for money",
                     "the rates are a rip-off", "the discount disappeared and my price went up"),
    },
    "website_app": {
        "positive": ("the app makes it easy to pay my bill online", "the website was easy to use",
                     "being able to do it in the app was great"),
        "neutral": ("the website is ok once you find the right page", "the app works but is a bit clunky"),
        "negative": ("the app keeps crashing when I try to log in", "the website would not accept my payment",
                     "could not log in to the online account", "the app is useless and the website is worse",
                     "I tried the website first but it kept showing an error"),
    },
    "resolution": {
        "positive": ("my issue was resolved on the first call", "sorted everything out in one call",
                     "problem solved, no need to call again", "they fixed my problem straight away"),
        "neutral": ("the issue is only partly resolved", "they said it would be sorted within a few days"),
        "negative": ("my issue is still not resolved", "I have called three times and it is still not sorted",
                     "nobody could resolve my problem", "they promised to call back and it is still not resolved",
                     "still unresolved after several calls"),
    },
}


class Provider(VerbatimProvider):
    phrases = PHRASES
    openers = {
        "positive": ("", "Great service: ", "Very happy, ", "Thanks, ", "Honestly, "),
        "neutral": ("", "Overall ", "To be fair, ", "Mixed experience: "),
        "negative": ("", "Very disappointed: ", "Terrible experience, ", "Frustrating: ", "Not happy: "),
    }
    tails = {
        "positive": ("", " Thank you!", " Would recommend.", " Keep it up."),
        "neutral": ("", " Could be better.", " We'll see."),
        "negative": ("", " Not good enough.", " Thinking of switching.", " Please fix this."),
    }
    complaint_openers = ("", "I wish to make a formal complaint. ", "I am writing to complain. ",
                         "This is my second complaint. ", "Complaint: ")
    complaint_demands = ("I want this fixed immediately.", "I expect a refund or a credit.",
                         "Please call me back today.", "If this is not resolved I will go to the ombudsman.",
                         "I want an explanation and an apology.")
