"""What the seed page holds, as the tests expect to find it: the ten stories in print order."""

SEED_HEADLINES = [
    "守住钱袋子 护好幸福家",
    "固本强基提高执政能力做到“五个必须”",
    "引导到村工作大学生扎根农村挥洒激情",
    "平城区网格员筑牢防汛“安全堤”",
    "疏堵结合整治游商小贩 营造整洁有序古城环境",
    "大学生志愿服务社区 擦亮城市文明底色",
    "党建引领迸发创城新活力",
    "全方位推动小微企业工会经费返还",
    "立足实际构建创城新常态",
    "“三个强化”争取创城新成效",
]
