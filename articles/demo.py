def load(*, units) -> str:
    return "稿件：0 篇"
