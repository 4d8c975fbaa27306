"""Names point to episodes: a guest's name finds the topic in the guest's episode, not the intro."""

from __future__ import annotations

from onrecord import index
from onrecord.index.analyzer import Analyzer
from onrecord.index.query import analyze_question
from onrecord.index.transcript import Segment, Transcript

# Made-up shows: long enough that an episode's opening and its conversation are different passages.
_FILLER = [
    f"The {a} of the {b} was {c} that season." for a in ("harvest", "river", "market", "mill")
    for b in ("valley", "town", "coast", "ridge")
    for c in ("early", "late", "quiet", "loud")
]  # fmt: skip


def _episode(
    name: str, opening: list[str], talk: list[str], *, speakers: list[str] | None = None
) -> Transcript:
    sentences = opening + 2 * _FILLER + talk + _FILLER
    return Transcript(
        path=name,
        source=name,
        title=name.replace("-", " "),
        segments=[Segment(text=s, turn=True) for s in sentences],
        speakers=speakers or [],
    )


def _shows() -> index.Index:
    guest = _episode(
        "episode-7",
        ["The following is a conversation with Zorblat Quenby, a baker from the hills."],
        ["Sourdough fermentation wants patience, because the wild yeast sets the pace of the dough."],
    )
    other = _episode(
        "episode-8",
        ["Welcome back to the show, today we talk about bread with a chemist."],
        ["I disagree with Zorblat Quenby about sourdough, and so does everyone here."],
    )
    more = [
        _episode(f"episode-{n}", [f"Today my guest is a {job}."], [f"We talk about {topic} for an hour."])
        for n, job, topic in (
            (1, "sailor", "knots"),
            (2, "pilot", "clouds"),
            (3, "potter", "clay"),
            (4, "farmer", "rain"),
        )
    ]
    return index.build_from_transcripts([guest, other, *more])


def test_a_guests_name_finds_the_topic_in_the_guests_episode_not_in_the_intro() -> None:
    hits = _shows().search("What does Zorblat Quenby think about sourdough fermentation?", k=3)
    assert hits[0].doc.source == "episode-7"
    assert "wild yeast" in hits[0].quote
    assert "following is a conversation" not in hits[0].quote
    # The name still counts where it is said inside another conversation.
    assert any(h.doc.source == "episode-8" and "Zorblat Quenby" in h.quote for h in hits)


def test_a_speaker_label_points_to_the_episodes_the_speaker_is_in() -> None:
    guest = _episode(
        "episode-9", ["Hello."], ["Knots hold when wet if tied as a bowline."], speakers=["Odile Varga"]
    )
    shows = index.build_from_transcripts(
        [
            *[
                _episode(f"episode-{n}", ["Hi."], ["Knots hold when wet if you tie them tight."])
                for n in range(4)
            ],
            guest,
        ]
    )
    assert shows.search("What does Odile Varga say about knots when wet?", k=1)[0].doc.source == "episode-9"


def test_only_words_that_may_be_names_can_point() -> None:
    vocab_terms = sorted({"zorblat", "quenbi", "sourdough", "ferment", "think"})
    vocab = {t: i for i, t in enumerate(vocab_terms)}
    cased = analyze_question(
        "What does Zorblat Quenby think about sourdough?", Analyzer(), vocab, vocab_terms, {}
    )
    assert cased.names == {"zorblat", "quenbi"}
    assert cased.full_names == (frozenset({"zorblat", "quenbi"}),)  # one person, not two
    lower = analyze_question("zorblat quenby on sourdough", Analyzer(), vocab, vocab_terms, {})
    assert lower.names == {"zorblat", "quenbi", "sourdough"}  # all lower case: any word may be a name
    assert not lower.cased and lower.full_names == (frozenset({"zorblat", "quenbi"}),)  # neighbours
    titled = analyze_question(
        "What Does Zorblat Quenby Think About Sourdough", Analyzer(), vocab, vocab_terms, {}
    )
    assert not titled.cased  # capitals on every word tell no names apart


def test_a_word_in_many_openings_points_nowhere() -> None:
    shows = _shows()
    query = shows._analyze("What did the Guest say about Zorblat?")  # "guest" opens four episodes
    pointing = shows._prior.point(query)
    assert pointing is not None and pointing.names == {"zorblat"}


def test_a_name_said_in_the_closing_points_to_the_episode() -> None:
    thanked = _episode("episode-6", ["Hi."], ["Clouds drift east when the wind turns."])
    thanked.segments.append(Segment("Thanks for listening to this conversation with Ulla Brekke.", turn=True))
    others = [_episode(f"episode-{n}", ["Hi."], ["Clouds drift east when the wind turns."]) for n in range(4)]
    shows = index.build_from_transcripts([*others, thanked])
    assert (
        shows.search("What does Ulla Brekke say about clouds drifting east?", k=1)[0].doc.source
        == "episode-6"
    )


def test_a_named_speakers_own_turns_rank_above_the_hosts_question() -> None:
    def said(speaker: str, text: str) -> list[Segment]:
        return [Segment(text, speaker=speaker, turn=True)]

    asked = said("Mara Host", "So tell me, do knots hold when wet, and which knots hold when wet best?")
    answered = said("Odile Varga", "A bowline holds when wet; knots of other kinds slip.")
    filler = [seg for line in 2 * _FILLER for seg in said("Mara Host", line)]
    episode = Transcript(
        path="ep", source="ep", title="ep", segments=[*filler, *asked, *filler, *answered, *filler]
    )
    others = [_episode(f"episode-{n}", ["Hi."], ["We sail at dawn."]) for n in range(4)]
    top = index.build_from_transcripts([episode, *others]).search(
        "What does Odile Varga say about knots when wet?", k=1
    )
    assert "bowline" in top[0].quote


def test_a_guest_is_found_in_the_episode_that_introduces_them_not_in_one_whose_intro_names_them() -> None:
    guest = _episode(
        "episode-1",
        ["The following is a conversation with Ilse Marrow, a harbour pilot."],
        ["Tide tables are printed a year ahead, because the moon keeps time."],
    )
    mention = _episode(
        "episode-2",
        [
            "The following is a conversation with Pim Sold, a pilot.",
            "Pilots like Ilse Marrow argue with him about tide tables.",
        ],
        ["We talk about sails."],
    )
    others = [_episode(f"episode-{n}", ["Hi."], ["We sail at dawn."]) for n in range(3, 7)]
    hits = index.build_from_transcripts([mention, guest, *others]).search(
        "What does Ilse Marrow say about tide tables?", k=1
    )
    assert hits[0].doc.source == "episode-1" and "moon keeps time" in hits[0].quote


def test_a_full_name_points_to_the_episodes_that_introduce_all_of_it() -> None:
    episodes = [
        _episode("episode-1", ["The following is a conversation with Ilse Marrow."], ["Tides."]),
        _episode("episode-2", ["My guest today is Ilse Brandt, a baker."], ["Bread."]),
        *[_episode(f"episode-{n}", ["Hi."], ["We sail at dawn."]) for n in range(3, 7)],
    ]
    shows = index.build_from_transcripts(episodes)
    assert [d.guests for d in shows.documents[:2]] == [("Ilse Marrow",), ("Ilse Brandt",)]
    pointing = shows._prior.point(shows._analyze("What does Ilse Marrow say about tides?"))
    assert pointing is not None and pointing.guests
    assert [shows.documents[d].source for d in pointing.documents] == ["episode-1"]


def _guest_shows() -> index.Index:
    episodes = [
        _episode(
            "episode-1",
            ["The following is a conversation with Ilse Green, a harbour pilot."],
            ["I'm Ilse Green, and tide tables are printed a year ahead, because the moon keeps time."],
        ),
        _episode(
            "episode-2",
            ["Welcome to the show."],
            ["Green energy from the tides will power the harbour, and green boats will sail on it."],
        ),
        _episode(
            "episode-3",
            ["Welcome to the show."],
            ["Sailors say that Ilse Green pilots the best ships in the harbour."],
        ),
        *[_episode(f"episode-{n}", ["Hi."], ["We sail at dawn."]) for n in range(4, 8)],
    ]
    return index.build_from_transcripts(episodes)


def test_a_common_word_in_a_question_without_capitals_points_to_no_guest() -> None:
    """In lower case every word may be a name: a word said in many episodes ("green") is not taken for the
    guest it is part of, a rare one and two neighbouring words of one guest's name are."""
    shows = _guest_shows()
    common = shows._prior.point(shows._analyze("is green energy from the tides possible"))
    assert common is None or not common.guests
    assert shows.search("is green energy from the tides possible", k=1)[0].doc.source == "episode-2"
    pointing = shows._prior.point(shows._analyze("what does ilse green say about tide tables"))
    assert pointing is not None and pointing.guests
    assert [shows.documents[d].source for d in pointing.documents] == ["episode-1"]


def test_a_question_that_is_mostly_the_name_is_answered_from_the_guests_episode() -> None:
    """With nothing else to rank the guest's passages, the name keeps its weight there: other episodes
    that say the name do not answer instead."""
    hits = _guest_shows().search("Who is Ilse Green?", k=1)
    assert hits[0].doc.source == "episode-1"


def test_a_name_in_an_episodes_notes_points_to_its_transcript_too() -> None:
    # One episode in two files that give its address: its written notes (whose opening names the lab)
    # and its transcript.
    notes = _episode("Kiln Talk (summary)", ["Notes: Vessa Labs and the kiln."], ["The kiln notes end here."])
    talk = _episode("Kiln Talk", ["Hi."], ["We fire the glaze slowly, because a fast kiln cracks it."])
    notes.url = talk.url = "https://example.org/kiln"
    others = [_episode(f"episode-{n}", ["Hi."], ["We fire the glaze slowly in winter."]) for n in range(4)]
    shows = index.build_from_transcripts([notes, talk, *others])
    pointing = shows._prior.point(shows._analyze("How does Vessa fire the glaze?"))
    assert pointing is not None and pointing.names == {"vessa"}
    assert set(pointing.documents) == {0, 1}  # both files of the episode, not only the notes
    assert shows.search("How does Vessa fire the glaze?", k=1)[0].doc.source == "Kiln Talk"


def test_titles_alike_are_not_one_episode() -> None:
    parts = [_episode(f"Kiln Talk (Part {n})", ["Hi."], ["We fire the glaze slowly."]) for n in (1, 2)]
    parts[0].segments.insert(0, Segment("Notes: Vessa Labs and the kiln.", turn=True))
    shows = index.build_from_transcripts(
        [*parts, *(_episode(f"episode-{n}", ["Hi."], ["Rain."]) for n in range(4))]
    )
    pointing = shows._prior.point(shows._analyze("How does Vessa fire the glaze?"))
    assert pointing is not None and set(pointing.documents) == {0}


def test_episodes_of_a_show_that_gives_its_home_page_as_their_address_are_apart() -> None:
    talks = [
        _episode(title, ["Hi."], ["We fire the glaze slowly."]) for title in ("Ada on kilns", "Bo on clay")
    ]
    talks[0].segments.insert(0, Segment("Notes: Vessa Labs and the kiln.", turn=True))
    for talk in talks:
        talk.url = "https://example.org/"
    shows = index.build_from_transcripts(
        [*talks, *(_episode(f"episode-{n}", ["Hi."], ["Rain."]) for n in range(4))]
    )
    pointing = shows._prior.point(shows._analyze("How does Vessa fire the glaze?"))
    assert pointing is not None and set(pointing.documents) == {0}


def test_an_address_many_documents_give_is_a_shows_not_one_episodes() -> None:
    weekly = [_episode(f"Weekly ({n})", ["Hi."], ["The council met on Monday."]) for n in range(4)]
    for show in weekly:
        show.url = "https://example.org/weekly"
    weekly[0].segments.insert(0, Segment("Notes: Vessa Labs opened a kiln.", turn=True))
    shows = index.build_from_transcripts(
        [*weekly, *(_episode(f"episode-{n}", ["Hi."], ["Rain."]) for n in range(4))]
    )
    pointing = shows._prior.point(shows._analyze("What did Vessa open?"))
    assert pointing is not None and set(pointing.documents) == {0}
