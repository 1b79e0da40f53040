PUBLISHED_GMACS = {}
TIMM_CHECKPOINTS = ()
def checkpoints():
    return ()
